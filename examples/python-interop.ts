/**
 * Pickles shared with CPython. TypeScript writes a graph of registered model objects (two orders
 * share one customer, who lists both orders back: sharing and a cycle) to a pickle file; python3
 * reads it with plain `pickle.load`, prints what it sees, adds an order and writes the graph back;
 * TypeScript reads Python's file and finds the same identities.
 *
 * The classes exist twice, once per language, under the same global names: `@reducible({ module:
 * 'shop', name: … })` here, `class Customer` … in examples/python/shop.py. No schema, no glue.
 *
 * Run: `npx ts-node examples/python-interop.ts` (needs python3 on PATH, or set $PYTHON).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { dumps, loads, reducible } from '../lib/index';

// Explicit names: they are what goes on the wire, and they survive minification.
@reducible({ module: 'shop', name: 'Customer' })
class Customer {
  readonly orders: Order[] = [];
  /** Set by the Python side (a Python set). `declare`: no own property until then. */
  declare tags?: Set<string>;
  constructor(
    readonly name: string,
    readonly email: string,
  ) {}
}

@reducible({ module: 'shop', name: 'Order' })
class Order {
  constructor(
    readonly number: number,
    readonly customer: Customer,
    readonly lines: LineItem[],
    readonly placed: Date,
  ) {
    customer.orders.push(this);
  }

  totalCents(): number {
    return this.lines.reduce((sum, line) => sum + line.quantity * line.unitCents, 0);
  }
}

// Python's attribute names are the wire format: unit_cents, not unitCents. A reducer could map
// them; here the class simply uses Python's name for the field and a getter for JS code.
@reducible({ module: 'shop', name: 'LineItem' })
class LineItem {
  constructor(
    readonly sku: string,
    readonly quantity: number,
    readonly unit_cents: number,
  ) {}

  get unitCents(): number {
    return this.unit_cents;
  }
}

const PYTHON = process.env.PYTHON ?? 'python3';
const SCRIPT = join(__dirname, 'python', 'orders_roundtrip.py');

/** The orders TypeScript writes: two orders, one customer, one line item listed twice. */
function makeOrders(): Order[] {
  const ada = new Customer('Ada Lovelace', 'ada@example.com');
  const tea = new LineItem('TEA-01', 2, 450);
  const cup = new LineItem('CUP-07', 1, 1299);
  const o1 = new Order(1, ada, [tea, cup], new Date(Date.UTC(2024, 2, 1, 9, 30)));
  const o2 = new Order(2, ada, [tea, tea], new Date(Date.UTC(2024, 2, 2, 18, 0)));
  return [o1, o2];
}

/** Runs the example. */
export function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'copyreg-interop-'));
  try {
    const orders = makeOrders();
    const toPython = join(dir, 'orders.pickle');
    const fromPython = join(dir, 'reply.pickle');
    const bytes = dumps(orders); // protocol 5, CPython's default since 3.8
    writeFileSync(toPython, bytes);
    console.log(`TypeScript wrote ${orders.length} orders (${bytes.length} bytes) to orders.pickle`);

    const py = spawnSync(PYTHON, [SCRIPT, toPython, fromPython], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
    });
    if (py.error) {
      console.log(`cannot run ${PYTHON} (${py.error.message}): install python3 or set $PYTHON`);
      return;
    }
    if (py.status !== 0) throw new Error(`${PYTHON} ${SCRIPT} failed:\n${py.stderr}`);
    console.log('python3 says:');
    for (const line of py.stdout.trimEnd().split('\n')) console.log(`  ${line}`);

    const reply = loads(readFileSync(fromPython)) as {
      customer: Customer;
      orders: Order[];
      written_by: string;
    };
    const { customer } = reply;
    console.log(`TypeScript read reply.pickle, written by ${reply.written_by}:`);
    console.log(`  customer is a Customer: ${customer instanceof Customer}`);
    console.log(`  orders: ${reply.orders.map((o) => o.number).join(', ')}`);
    console.log(`  every order is an Order: ${reply.orders.every((o) => o instanceof Order)}`);
    console.log(`  all orders share the customer: ${reply.orders.every((o) => o.customer === customer)}`);
    console.log(`  reply.orders is customer.orders (one list): ${reply.orders === customer.orders}`);
    const [o1, o2, o3] = reply.orders as [Order, Order, Order];
    console.log(`  a line item listed twice is one object: ${o2.lines[0] === o2.lines[1]}`);
    console.log(`  the tea line is shared across orders: ${o1.lines[0] === o2.lines[0]}`);
    for (const order of reply.orders) {
      const total = (order.totalCents() / 100).toFixed(2);
      console.log(`  order ${order.number}: total ${total}, placed ${order.placed.toISOString()}`);
    }
    console.log(`  Python's new order: ${o3.lines.map((l) => `${l.sku} x${l.quantity}`).join(', ')}`);
    const tags = customer.tags;
    console.log(`  tags from a Python set: ${tags instanceof Set ? [...tags].join(', ') : String(tags)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
