/**
 * An app-state store with undo. The state is a graph of class instances held in Maps and Sets,
 * with Dates, shared references and a cycle (a todo points at its owner, whose list points back).
 * Each change first pushes `deepcopy(state)` on a history stack; undo pops it. Changes are made
 * immutably with `replace`, which returns a changed copy of one instance.
 *
 * Run: `npx ts-node examples/app-state.ts`
 */
import { deepcopy, replace } from '../lib/index';

class User {
  /** The user's todos, the same objects as in `AppState.todos`. */
  readonly todos: Todo[] = [];
  constructor(readonly name: string) {}
}

class Todo {
  constructor(
    readonly id: string,
    readonly title: string,
    readonly owner: User,
    readonly tags: Set<string>,
    readonly due: Date,
    readonly done = false,
  ) {}

  /** One line, for printing. */
  describe(): string {
    const due = this.due.toISOString().slice(0, 10);
    return `${this.id} "${this.title}" done=${this.done} due=${due} tags=[${[...this.tags]}]`;
  }
}

interface AppState {
  readonly users: Map<string, User>;
  readonly todos: Map<string, Todo>;
  /** A selection holds the same Todo objects as `todos`. */
  readonly selected: Set<Todo>;
  revision: number;
}

/** Holds the state and an undo history of deep snapshots. */
class Store {
  private readonly history: AppState[] = [];

  constructor(public state: AppState) {}

  /**
   * Changes the state, after saving a snapshot. The snapshot must be deep: `change` mutates the
   * Maps and Sets in place, and a shallow copy would share them.
   */
  update(change: (state: AppState) => void): void {
    this.history.push(deepcopy(this.state));
    change(this.state);
    this.state.revision++;
  }

  /** Restores the state saved before the last update; false when there is nothing to undo. */
  undo(): boolean {
    const previous = this.history.pop();
    if (previous === undefined) return false;
    this.state = previous;
    return true;
  }

  get undoDepth(): number {
    return this.history.length;
  }
}

/** Replaces a todo by a changed copy everywhere it is referenced. */
function changeTodo(state: AppState, id: string, changes: Partial<Todo>): void {
  const old = state.todos.get(id);
  if (old === undefined) throw new Error(`no todo ${id}`);
  const changed = replace(old, changes);
  state.todos.set(id, changed);
  const list = old.owner.todos;
  list[list.indexOf(old)] = changed;
  if (state.selected.delete(old)) state.selected.add(changed);
}

function initialState(): AppState {
  const ann = new User('ann');
  const todos = new Map<string, Todo>();
  const add = (id: string, title: string, tags: string[], due: string): Todo => {
    const todo = new Todo(id, title, ann, new Set(tags), new Date(due));
    todos.set(id, todo);
    ann.todos.push(todo);
    return todo;
  };
  const milk = add('t1', 'Buy milk', ['home'], '2024-05-01T09:00:00Z');
  add('t2', 'Write report', ['work'], '2024-05-03T17:00:00Z');
  return { users: new Map([['ann', ann]]), todos, selected: new Set([milk]), revision: 0 };
}

function show(label: string, state: AppState): void {
  console.log(`${label} (revision ${state.revision}):`);
  for (const todo of state.todos.values()) console.log(`  ${todo.describe()}`);
}

/** Runs the example. */
export function main(): void {
  const store = new Store(initialState());
  show('initial', store.state);

  store.update((s) => changeTodo(s, 't1', { done: true }));
  store.update((s) => {
    changeTodo(s, 't2', { title: 'Write the report', due: new Date('2024-05-10T17:00:00Z') });
    s.todos.get('t2')!.tags.add('urgent');
  });
  show('after two changes', store.state);

  // A snapshot is a separate graph of the same shape: sharing and the cycle are rebuilt, not
  // flattened into duplicates (a JSON round trip would fail on the cycle, and lose the classes).
  const snapshot = deepcopy(store.state);
  const t1 = snapshot.todos.get('t1')!;
  const ann = snapshot.users.get('ann')!;
  console.log(`snapshot is a separate graph: ${t1 !== store.state.todos.get('t1')}`);
  console.log(`sharing survives (map entry === owner's list entry): ${ann.todos[0] === t1}`);
  console.log(`sharing survives (selection holds the same todo): ${snapshot.selected.has(t1)}`);
  console.log(`cycle survives (todo.owner.todos contains todo): ${t1.owner.todos.includes(t1)}`);
  console.log(`classes survive: ${t1 instanceof Todo && t1.owner instanceof User}`);

  while (store.undo()) show(`undo (${store.undoDepth} left)`, store.state);
  const s = store.state;
  const milk = s.todos.get('t1')!;
  console.log(`restored: t1 done=${milk.done}, t2 tags=[${[...s.todos.get('t2')!.tags]}]`);
  console.log(`restored state keeps sharing: ${s.users.get('ann')!.todos[0] === milk}`);
  console.log(`restored state keeps the cycle: ${milk.owner.todos.includes(milk)}`);
}

if (require.main === module) main();
