"""Reads the orders pickle that examples/python-interop.ts wrote, prints what Python sees, adds an
order and writes the graph back for the TypeScript side to read.

Usage: python3 orders_roundtrip.py IN.pickle OUT.pickle
"""
import datetime
import pickle
import sys

import shop  # this script's directory is on sys.path, so the twin classes resolve


def main(src, dst):
    with open(src, 'rb') as f:
        data = f.read()
    protocol = data[1] if data[:1] == b'\x80' else 0
    orders = pickle.loads(data)
    ada = orders[0].customer
    print(f'read {len(data)} bytes, pickle protocol {protocol}')
    print(f'types: {type(orders).__name__} of {", ".join(sorted({type(o).__qualname__ for o in orders}))}')
    print(f'both orders share one customer: {orders[0].customer is orders[1].customer}')
    print(f'the customer lists its orders: {all(a is b for a, b in zip(ada.orders, orders))}')
    for order in orders:
        print(f'order {order.number}: {order.customer.name}, {len(order.lines)} lines, '
              f'total {order.total_cents() / 100:.2f}, placed {order.placed.isoformat()}')
    shared = orders[1].lines[0] is orders[1].lines[1]
    print(f'a line item listed twice is one object: {shared}')

    # Python's turn: add an order, tag the customer, write everything back.
    placed = datetime.datetime(2024, 3, 5, 8, 15, tzinfo=datetime.timezone.utc)
    shop.Order(3, ada, [shop.LineItem('TEA-01', 3, 450)], placed)
    ada.tags = {'vip'}
    reply = {'customer': ada, 'orders': ada.orders, 'written_by': 'CPython'}
    with open(dst, 'wb') as f:
        pickle.dump(reply, f, protocol=protocol)
    print(f'wrote {len(ada.orders)} orders back at protocol {protocol}')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
