/**
 * Deterministic benchmark data, shared by the copy bench and (later) the
 * serialization bench so both measure the same structures.
 *
 * Every builder takes a seed and size options and returns fresh data; builders
 * are called once per suite, outside any timed region. Each workload also comes
 * with a fidelity checker that works on any copy or round trip of its data.
 */

import { compareGraphs, collectObjects, Expectations, verdict, type Fidelity, type FidelityProperty } from './fidelity';

// ---------------------------------------------------------------------------
// Seeded PRNG
// ---------------------------------------------------------------------------

/** A seeded pseudo-random source (mulberry32): same seed, same data, on every machine. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** `count` distinct elements (or all of them if fewer). */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
    return out;
  }

  /** A sentence of `words` lowercase pseudo-words. */
  words(words: number): string {
    const out: string[] = [];
    for (let i = 0; i < words; i++) out.push(this.pick(WORDS));
    return out.join(' ');
  }

  /** An ISO-8601 timestamp in 2020–2024. */
  isoDate(): string {
    return new Date(this.int(1_577_836_800_000, 1_735_603_200_000)).toISOString();
  }
}

const WORDS = [
  'alpha', 'bravo', 'copy', 'delta', 'echo', 'graph', 'heap', 'index', 'json', 'kernel', 'lambda', 'merge',
  'node', 'object', 'pickle', 'queue', 'reduce', 'state', 'tree', 'union', 'value', 'weak', 'yield', 'zone',
];

/** Seed used by every workload unless a caller overrides it. */
export const DEFAULT_SEED = 20240601;

// ---------------------------------------------------------------------------
// 1. appState: JSON-like Redux-style store
// ---------------------------------------------------------------------------

/** A user entity in {@link AppState}. */
export interface AppUser {
  id: string;
  name: string;
  email: string;
  avatarUrl: string | null;
  isActive: boolean;
  createdAt: string;
  roles: string[];
  profile: { bio: string; location: string | null; website: string | null };
  stats: { followers: number; following: number; posts: number };
}

/** A comment on an {@link AppPost}. */
export interface AppComment {
  id: string;
  authorId: string;
  text: string;
  likes: number;
  createdAt: string;
  edited: boolean;
}

/** A post entity in {@link AppState}. */
export interface AppPost {
  id: string;
  authorId: string;
  title: string;
  body: string;
  tags: string[];
  likes: number;
  published: boolean;
  score: number;
  comments: AppComment[];
}

/** A normalised Redux-like store: only plain objects, arrays, strings, numbers, booleans and nulls. */
export interface AppState {
  session: { userId: string; token: string; expiresAt: string; permissions: string[] };
  users: { byId: Record<string, AppUser>; allIds: string[] };
  posts: { byId: Record<string, AppPost>; allIds: string[]; pinned: string[] };
  settings: {
    theme: 'light' | 'dark';
    language: string;
    notifications: Record<string, boolean>;
    privacy: { profileVisible: boolean; searchable: boolean; blockedIds: string[] };
    featureFlags: Record<string, boolean>;
  };
  ui: {
    sidebarOpen: boolean;
    activeModal: string | null;
    pagination: { page: number; pageSize: number; total: number };
    loading: Record<string, boolean>;
    error: string | null;
    drafts: Record<string, { title: string; body: string; savedAt: string }>;
  };
}

/** Options for {@link buildAppState}. Defaults give ~20,000 values. */
export interface AppStateOptions {
  seed?: number;
  users?: number;
  posts?: number;
}

/** Builds a JSON-like application state (see {@link AppState}); tree-shaped, no sharing, no cycles. */
export function buildAppState({ seed = DEFAULT_SEED, users = 285, posts = 480 }: AppStateOptions = {}): AppState {
  const rnd = new Random(seed);
  const byId: Record<string, AppUser> = {};
  const userIds: string[] = [];
  for (let i = 0; i < users; i++) {
    const id = `u${i}`;
    userIds.push(id);
    byId[id] = {
      id,
      name: `${rnd.pick(WORDS)} ${rnd.pick(WORDS)}`,
      email: `user${i}@example.com`,
      avatarUrl: rnd.bool(0.7) ? `https://cdn.example.com/avatars/${i}.png` : null,
      isActive: rnd.bool(0.9),
      createdAt: rnd.isoDate(),
      roles: rnd.sample(['reader', 'writer', 'editor', 'admin'], rnd.int(1, 2)),
      profile: {
        bio: rnd.words(rnd.int(3, 12)),
        location: rnd.bool() ? rnd.pick(['Paris', 'Lagos', 'Lima', 'Osaka', 'Oslo']) : null,
        website: rnd.bool(0.3) ? `https://${rnd.pick(WORDS)}.example.org` : null,
      },
      stats: { followers: rnd.int(0, 5000), following: rnd.int(0, 500), posts: rnd.int(0, 200) },
    };
  }
  const postsById: Record<string, AppPost> = {};
  const postIds: string[] = [];
  for (let i = 0; i < posts; i++) {
    const id = `p${i}`;
    postIds.push(id);
    const comments: AppComment[] = [];
    const commentCount = rnd.int(0, 5);
    for (let c = 0; c < commentCount; c++) {
      comments.push({
        id: `${id}c${c}`,
        authorId: rnd.pick(userIds),
        text: rnd.words(rnd.int(2, 15)),
        likes: rnd.int(0, 50),
        createdAt: rnd.isoDate(),
        edited: rnd.bool(0.1),
      });
    }
    postsById[id] = {
      id,
      authorId: rnd.pick(userIds),
      title: rnd.words(rnd.int(2, 8)),
      body: rnd.words(rnd.int(20, 120)),
      tags: rnd.sample(WORDS, rnd.int(0, 4)),
      likes: rnd.int(0, 1000),
      published: rnd.bool(0.8),
      score: Math.round(rnd.next() * 10000) / 100,
      comments,
    };
  }
  const drafts: AppState['ui']['drafts'] = {};
  for (let i = 0; i < 10; i++) drafts[`d${i}`] = { title: rnd.words(3), body: rnd.words(40), savedAt: rnd.isoDate() };
  const flags: Record<string, boolean> = {};
  for (const w of WORDS) flags[`enable_${w}`] = rnd.bool();

  return {
    session: {
      userId: userIds[0],
      token: Array.from({ length: 4 }, () => rnd.int(0, 2 ** 31).toString(36)).join('.'),
      expiresAt: rnd.isoDate(),
      permissions: ['read', 'write', 'comment'],
    },
    users: { byId, allIds: userIds },
    posts: { byId: postsById, allIds: postIds, pinned: rnd.sample(postIds, 5) },
    settings: {
      theme: rnd.bool() ? 'dark' : 'light',
      language: 'en-GB',
      notifications: { email: true, push: rnd.bool(), sms: false, digest: rnd.bool() },
      privacy: { profileVisible: true, searchable: rnd.bool(), blockedIds: rnd.sample(userIds, 8) },
      featureFlags: flags,
    },
    ui: {
      sidebarOpen: true,
      activeModal: null,
      pagination: { page: 1, pageSize: 20, total: posts },
      loading: { users: false, posts: false, comments: true },
      error: null,
      drafts,
    },
  };
}

// ---------------------------------------------------------------------------
// 2. domainModel: class instances with Date/Map/Set, shared references, cycles
// ---------------------------------------------------------------------------

// The constructors below validate their arguments and have side effects
// (Order registers itself with its Customer). That is realistic, and it is the
// point: a copier must rebuild instances from their prototype and state, never
// by calling `new X()` with no arguments (which would throw here).

/** A postal address; shared between a customer and that customer's orders. */
export class Address {
  constructor(
    public street: string,
    public city: string,
    public postcode: string,
    public country: string,
  ) {
    if (country.length !== 2) throw new RangeError(`country must be an ISO code, got ${country}`);
  }

  /** Single-line rendering (a method, so instances have a meaningful prototype). */
  format(): string {
    return `${this.street}, ${this.postcode} ${this.city}, ${this.country}`;
  }
}

/** A customer; `orders` and `Order.customer` form cycles. */
export class Customer {
  /** Filled in by the Order constructor. */
  readonly orders = new Set<Order>();
  tags: string[] = [];

  constructor(
    public id: number,
    public name: string,
    public email: string,
    public address: Address,
    public since: Date,
  ) {
    if (!email.includes('@')) throw new TypeError(`invalid email ${email}`);
  }

  /** Lifetime value over all orders. */
  totalSpent(): number {
    let sum = 0;
    for (const order of this.orders) sum += order.total();
    return sum;
  }
}

/** A catalogue product; shared by every LineItem that sells it and by the SKU index. */
export class Product {
  readonly attributes = new Map<string, string | number>();

  constructor(
    public sku: string,
    public name: string,
    public price: number,
    public categories: Set<string>,
  ) {
    if (!(price >= 0)) throw new RangeError(`invalid price ${price}`);
  }
}

/** One line of an order; references a shared Product. */
export class LineItem {
  constructor(
    public product: Product,
    public quantity: number,
    public unitPrice: number,
  ) {
    if (!Number.isInteger(quantity) || quantity <= 0) throw new RangeError(`invalid quantity ${quantity}`);
  }

  /** Price of the line. */
  subtotal(): number {
    return this.quantity * this.unitPrice;
  }
}

/** An order; references its Customer (cycle) and usually shares the customer's Address. */
export class Order {
  items: LineItem[] = [];
  status: 'placed' | 'shipped' | 'delivered' | 'cancelled' = 'placed';

  constructor(
    public id: number,
    public customer: Customer,
    public placedAt: Date,
    public shippingAddress: Address,
  ) {
    customer.orders.add(this); // side effect: must not run again when copying
  }

  /** Sum of the line subtotals. */
  total(): number {
    return this.items.reduce((sum, item) => sum + item.subtotal(), 0);
  }
}

/** Root of the domain model. */
export class Store {
  constructor(
    public customers: Customer[],
    public products: Product[],
    public orders: Order[],
    /** Index over `products`: every value is also in `products` (sharing). */
    public productsBySku: Map<string, Product>,
  ) {}
}

/** The domain-model classes, e.g. for registering them with a serializer. */
export const DOMAIN_CLASSES = [Address, Customer, Product, LineItem, Order, Store] as const;

/** Options for {@link buildDomainModel}. Defaults give ~20,000 class instances. */
export interface DomainModelOptions {
  seed?: number;
  customers?: number;
  products?: number;
  orders?: number;
}

/**
 * Builds a {@link Store} of ~20,000 instances: customers (each with its own
 * Address), products, orders and ~12,500 line items. Shared references:
 * products (line items, SKU map), addresses (customer and most orders),
 * customers (store and orders). Cycles: customer.orders ↔ order.customer.
 */
export function buildDomainModel({
  seed = DEFAULT_SEED,
  customers = 1500,
  products = 500,
  orders = 4000,
}: DomainModelOptions = {}): Store {
  const rnd = new Random(seed);
  const cities = ['Paris', 'Lagos', 'Lima', 'Osaka', 'Oslo', 'Quito', 'Perth'];
  const countries = ['FR', 'NG', 'PE', 'JP', 'NO', 'EC', 'AU'];

  const productList: Product[] = [];
  const bySku = new Map<string, Product>();
  for (let i = 0; i < products; i++) {
    const sku = `SKU-${String(i).padStart(5, '0')}`;
    const product = new Product(sku, rnd.words(2), rnd.int(100, 50_000) / 100, new Set(rnd.sample(WORDS, rnd.int(1, 3))));
    product.attributes.set('colour', rnd.pick(['red', 'green', 'blue', 'black']));
    product.attributes.set('weightGrams', rnd.int(10, 5000));
    productList.push(product);
    bySku.set(sku, product);
  }

  const customerList: Customer[] = [];
  for (let i = 0; i < customers; i++) {
    const c = rnd.int(0, cities.length - 1);
    const address = new Address(`${rnd.int(1, 300)} ${rnd.pick(WORDS)} street`, cities[c], String(rnd.int(10000, 99999)), countries[c]);
    const customer = new Customer(i, `${rnd.pick(WORDS)} ${rnd.pick(WORDS)}`, `c${i}@example.com`, address, new Date(rnd.isoDate()));
    customer.tags = rnd.sample(['vip', 'b2b', 'newsletter', 'returning'], rnd.int(0, 2));
    customerList.push(customer);
  }

  const orderList: Order[] = [];
  for (let i = 0; i < orders; i++) {
    const customer = rnd.pick(customerList);
    // Most orders ship to the customer's own Address object (shared); some to a fresh one.
    const shipTo = rnd.bool(0.9)
      ? customer.address
      : new Address(`${rnd.int(1, 300)} ${rnd.pick(WORDS)} road`, customer.address.city, customer.address.postcode, customer.address.country);
    const order = new Order(i, customer, new Date(rnd.isoDate()), shipTo);
    order.status = rnd.pick(['placed', 'shipped', 'delivered', 'cancelled'] as const);
    const itemCount = rnd.int(1, 5);
    for (let j = 0; j < itemCount; j++) {
      const product = rnd.pick(productList);
      order.items.push(new LineItem(product, rnd.int(1, 4), product.price));
    }
    orderList.push(order);
  }
  return new Store(customerList, productList, orderList, bySku);
}

// ---------------------------------------------------------------------------
// 3. tree: nodes with parent back-pointers
// ---------------------------------------------------------------------------

/** A tree node; `parent` makes every edge a 2-cycle. */
export interface TreeNode {
  value: number;
  children: TreeNode[];
  parent: TreeNode | null;
}

/** Options for {@link buildTree}. */
export interface TreeOptions {
  seed?: number;
  nodes?: number;
  /** Maximum children per node (actual count is random in [1, maxChildren] until `nodes` is reached). */
  maxChildren?: number;
}

/**
 * Builds a tree of `nodes` nodes, filled breadth-first with 1..maxChildren
 * children each, so it is bushy and shallow (depth ~8 by default) like a DOM or
 * a file system. Deep nesting is the `chain` workload's job.
 */
export function buildTree({ seed = DEFAULT_SEED, nodes = 10_000, maxChildren = 6 }: TreeOptions = {}): TreeNode {
  const rnd = new Random(seed);
  const root: TreeNode = { value: 0, children: [], parent: null };
  const queue: TreeNode[] = [root];
  let count = 1;
  for (let head = 0; count < nodes; head++) {
    const parent = queue[head];
    const n = rnd.int(1, maxChildren);
    for (let i = 0; i < n && count < nodes; i++) {
      const child: TreeNode = { value: count++, children: [], parent };
      parent.children.push(child);
      queue.push(child);
    }
  }
  return root;
}

// ---------------------------------------------------------------------------
// 4. chain: a very long linked list
// ---------------------------------------------------------------------------

/** A singly linked list cell. */
export interface ChainNode {
  value: number;
  next: ChainNode | null;
}

/** Options for {@link buildChain}. */
export interface ChainOptions {
  length?: number;
}

/**
 * Builds `{ value: 0, next: { value: 1, next: ... } }`, 1,000,000 long by
 * default: nested far beyond any call stack, so only non-recursive copiers survive.
 */
export function buildChain({ length = 1_000_000 }: ChainOptions = {}): ChainNode {
  let head: ChainNode | null = null;
  for (let i = length - 1; i >= 0; i--) head = { value: i, next: head };
  if (head === null) throw new RangeError('chain length must be positive');
  return head;
}

// ---------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------

/** A named benchmark workload: how to build it, what it exercises, and how to check a copy of it. */
export interface Workload<T = unknown> {
  name: string;
  description: string;
  /** Builds fresh data (deterministic). */
  build(): T;
  /** Whether the data contains cycles (copiers without cycle support will not terminate normally). */
  cyclic: boolean;
  /** Fidelity properties this workload exercises; the others are reported as n/a. */
  exercises: readonly FidelityProperty[];
  /** Checks a copy (or round trip) `output` of `input`, which must come from `build()`. */
  check(input: T, output: unknown): Fidelity;
}

/** Type-checks a workload against its data type, then erases it for the heterogeneous registry. */
export function defineWorkload<T>(workload: Workload<T>): Workload {
  return workload as Workload; // sound: callers pass check() the output of this workload's own build()
}

/** The four standard workloads, in report order. */
export const WORKLOADS: readonly Workload[] = [
  defineWorkload<AppState>({
    name: 'appState',
    description: 'JSON-like Redux-style store, ~20,000 values (plain objects, arrays, primitives)',
    build: () => buildAppState(),
    cyclic: false,
    exercises: ['values'],
    check: (input, output) => verdict(['values'], compareGraphs(input, output), new Expectations()),
  }),
  defineWorkload<Store>({
    name: 'domainModel',
    description: '~20,000 class instances with Date/Map/Set, shared references and cycles',
    build: () => buildDomainModel(),
    cyclic: true,
    exercises: ['values', 'prototypes', 'sharing', 'cycles'],
    check: checkDomainModel,
  }),
  defineWorkload<TreeNode>({
    name: 'tree',
    description: '10,000 {value, children, parent} nodes (parent back-pointers are cycles)',
    build: () => buildTree(),
    cyclic: true,
    exercises: ['values', 'cycles'],
    check: checkTree,
  }),
  defineWorkload<ChainNode>({
    name: 'chain',
    description: 'linked list {value, next}, 1,000,000 deep',
    build: () => buildChain(),
    cyclic: false,
    exercises: ['values'],
    check: (input, output) => verdict(['values'], compareGraphs(input, output), new Expectations()),
  }),
];

/** Approximate size of a structure: number of objects and of values (objects plus primitive slots). */
export function measureSize(root: unknown): { objects: number; values: number } {
  const objects = collectObjects(root);
  let values = objects.size;
  for (const o of objects) {
    if (o instanceof Map) values += o.size * 2;
    else if (o instanceof Set) values += o.size;
    else if (!(o instanceof Date)) {
      for (const v of Object.values(o)) if (typeof v !== 'object' || v === null) values++;
    }
  }
  return { objects: objects.size, values };
}

// ---------------------------------------------------------------------------
// Workload-specific fidelity checks
// ---------------------------------------------------------------------------

/** Explicit checks for a copy of {@link buildDomainModel}'s store (on top of the generic walk). */
function checkDomainModel(input: Store, output: unknown): Fidelity {
  const all: FidelityProperty[] = ['values', 'prototypes', 'sharing', 'cycles'];
  const generic = compareGraphs(input, output);
  const e = new Expectations();
  const copy = output as Store;
  if (!copy || !Array.isArray(copy.customers) || !Array.isArray(copy.orders) || !Array.isArray(copy.products)) {
    e.expect('values', false, 'copy is not shaped like a Store');
    return verdict(all, generic, e);
  }
  const originals = collectObjects(input);

  // prototypes: every entity, and the built-ins inside them.
  e.expect('prototypes', copy instanceof Store, 'root is not a Store');
  e.expect('prototypes', copy.productsBySku instanceof Map, 'productsBySku is not a Map');
  for (const c of copy.customers) {
    e.expect('prototypes', c instanceof Customer, 'customer is not a Customer');
    e.expect('prototypes', c.address instanceof Address, 'address is not an Address');
    e.expect('prototypes', c.since instanceof Date, 'customer.since is not a Date');
    e.expect('prototypes', c.orders instanceof Set, 'customer.orders is not a Set');
  }
  for (const p of copy.products) {
    e.expect('prototypes', p instanceof Product, 'product is not a Product');
    e.expect('prototypes', p.attributes instanceof Map, 'product.attributes is not a Map');
    e.expect('prototypes', p.categories instanceof Set, 'product.categories is not a Set');
  }
  for (const o of copy.orders) {
    e.expect('prototypes', o instanceof Order, 'order is not an Order');
    e.expect('prototypes', o.placedAt instanceof Date, 'order.placedAt is not a Date');
    for (const item of o.items) e.expect('prototypes', item instanceof LineItem, 'item is not a LineItem');
  }

  // sharing: references that point at one object in the input must point at
  // the corresponding single object in the copy.
  const productIndex = new Map(input.products.map((p, i) => [p, i]));
  const customerIndex = new Map(input.customers.map((c, i) => [c, i]));
  input.orders.forEach((order, i) => {
    const o = copy.orders[i];
    if (!o) return;
    e.expect('sharing', o.customer === copy.customers[customerIndex.get(order.customer)!], `orders[${i}].customer is not the copied customer`);
    if (order.shippingAddress === order.customer.address) {
      e.expect('sharing', o.shippingAddress === o.customer?.address, `orders[${i}].shippingAddress is not its customer's address`);
    }
    order.items.forEach((item, j) => {
      e.expect('sharing', o.items?.[j]?.product === copy.products[productIndex.get(item.product)!], `orders[${i}].items[${j}].product is not the copied product`);
    });
  });
  if (copy.productsBySku instanceof Map) {
    input.products.forEach((p, i) =>
      e.expect('sharing', copy.productsBySku.get(p.sku) === copy.products[i], 'productsBySku values are not the copied products'),
    );
  } else {
    e.expect('sharing', false, 'productsBySku is not a Map');
  }

  // cycles: customer -> orders -> customer must close on the copied customer,
  // and must never lead back into the input.
  copy.customers.forEach((c, i) => {
    e.expect('cycles', !originals.has(c), `customers[${i}] is an input object`);
    const orders = c.orders instanceof Set ? [...c.orders] : [];
    e.expect('cycles', orders.length === input.customers[i].orders.size, `customers[${i}].orders lost entries`);
    for (const o of orders) {
      e.expect('cycles', !originals.has(o), `customers[${i}].orders holds an input Order`);
      e.expect('cycles', o?.customer === c, `customers[${i}].orders[*].customer does not point back`);
    }
  });
  copy.orders.forEach((o, i) => {
    const backRef = o.customer?.orders instanceof Set && o.customer.orders.has(o);
    e.expect('cycles', backRef, `orders[${i}] is not in its customer's orders`);
  });
  return verdict(all, generic, e);
}

/** Explicit checks for a copy of {@link buildTree}'s tree: every parent pointer closes on the copied parent. */
function checkTree(input: TreeNode, output: unknown): Fidelity {
  const generic = compareGraphs(input, output);
  const e = new Expectations();
  const originals = collectObjects(input);
  const root = output as TreeNode;
  e.expect('cycles', root?.parent === null, 'root.parent is not null');
  const stack: [TreeNode, TreeNode][] = [[input, root]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    if (!b || !Array.isArray(b.children) || b.children.length !== a.children.length) {
      e.expect('values', false, 'children differ');
      continue;
    }
    e.expect('cycles', !originals.has(b), 'a copied node is an input node');
    b.children.forEach((child, i) => {
      e.expect('cycles', child?.parent === b, 'child.parent is not the copied parent');
      stack.push([a.children[i], child]);
    });
  }
  return verdict(['values', 'cycles'], generic, e);
}
