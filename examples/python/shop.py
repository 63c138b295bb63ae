"""The Python side of examples/python-interop.ts: the same three classes, under the same global
names (module ``shop``), so that pickles written by either language load in the other.

Nothing here knows about JavaScript: these are ordinary classes pickled by CPython's default
``__reduce_ex__``.
"""


class Customer:
    def __init__(self, name, email):
        self.name = name
        self.email = email
        self.orders = []

    def __repr__(self):
        return f'Customer({self.name!r}, {len(self.orders)} orders)'


class Order:
    def __init__(self, number, customer, lines, placed):
        self.number = number
        self.customer = customer
        self.lines = lines
        self.placed = placed
        customer.orders.append(self)

    def total_cents(self):
        return sum(line.quantity * line.unit_cents for line in self.lines)


class LineItem:
    def __init__(self, sku, quantity, unit_cents):
        self.sku = sku
        self.quantity = quantity
        self.unit_cents = unit_cents
