/**
 * A domain class that keeps its state in a `#private` field. `deepcopy`'s default reduction
 * copies own properties onto an object made without running the constructor, and private fields
 * are not properties: the copy would lack `#balance`, and its methods would throw. A reducer
 * that rebuilds the object through its constructor fixes that, and `@reducible` declares it on
 * the class.
 *
 * Run: `npx ts-node examples/domain-model.ts`
 */
import { deepcopy, reducible } from '../lib/index';

@reducible((o: Account) => [Account, [o.id, o.balance]], { module: 'examples.bank' })
class Account {
  #balance: number;
  constructor(
    readonly id: string,
    balance: number,
  ) {
    if (balance < 0) throw new RangeError('balance must not be negative');
    this.#balance = balance;
  }

  get balance(): number {
    return this.#balance;
  }

  deposit(amount: number): void {
    this.#balance += amount;
  }

  withdraw(amount: number): void {
    if (amount > this.#balance) throw new RangeError(`insufficient funds in ${this.id}`);
    this.#balance -= amount;
  }
}

/** The same class without a reducer, to show what goes wrong. */
class BareAccount {
  #balance: number;
  constructor(balance: number) {
    this.#balance = balance;
  }

  get balance(): number {
    return this.#balance;
  }
}

/** A bank: accounts by id, and a list of the accounts to audit (the same objects). */
interface Bank {
  readonly accounts: Map<string, Account>;
  readonly audit: Account[];
}

/** Runs the example. */
export function main(): void {
  const alice = new Account('alice', 100);
  const copyOfAlice = deepcopy(alice);
  copyOfAlice.deposit(50);
  console.log(`copy is an Account: ${copyOfAlice instanceof Account}`);
  console.log(`original balance: ${alice.balance}, copy after deposit: ${copyOfAlice.balance}`);
  try {
    copyOfAlice.withdraw(1000);
  } catch (e) {
    console.log(`the copy still enforces its invariant: ${(e as Error).message}`);
  }

  // Reduced objects keep their sharing, like any other: one Account, reached two ways.
  const bank: Bank = { accounts: new Map([['alice', alice]]), audit: [alice] };
  const bankCopy = deepcopy(bank);
  const copied = bankCopy.accounts.get('alice')!;
  console.log(`bank copy shares one Account: ${copied === bankCopy.audit[0]}`);
  console.log(`bank copy is independent: ${copied !== alice}, balance ${copied.balance}`);

  // Without a reducer the copy has no #balance: reading it throws a TypeError.
  const bare = deepcopy(new BareAccount(7));
  try {
    console.log(`bare copy balance: ${bare.balance}`);
  } catch (e) {
    console.log(`without a reducer: ${(e as Error).constructor.name}: ${(e as Error).message}`);
  }
}

if (require.main === module) main();
