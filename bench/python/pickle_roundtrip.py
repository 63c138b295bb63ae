#!/usr/bin/env python3
"""CPython reference for the serialize bench (bench/serialize-bench.ts).

Usage: pickle_roundtrip.py PICKLE_FILE [TIME_MS]

Loads a workload pickled by copyreg (protocol 5), so the data is exactly the
one the JS side measures, then times CPython's C pickle round trip
``pickle.loads(pickle.dumps(x, 5))`` (and each half) with time.perf_counter,
checks that the round trip is faithful, and prints one JSON object:

  {"python": "3.11.7", "size": 906303,
   "roundtrip": {"medianMs": 41.2, "samples": 24, "batch": 1}, "dumps": {...}, "loads": {...},
   "fidelity": {"values": "yes", "prototypes": "yes", "sharing": "yes", "cycles": "yes", "builtins": "yes"},
   "details": {}}

or {"error": "RecursionError: ..."} when the round trip fails. TIME_MS (default
1000) is the sampling budget of the round trip; each half gets a third of it;
0 means one cold and one timed run. The garbage collector stays enabled, as in
a real program (timeit would disable it); "roundtripNoGc" is the round trip
with it disabled, for reference.
"""

import datetime
import gc
import json
import pickle
import statistics
import sys
import time


# The domain classes of bench/workloads.ts, as copyreg names them (`__main__.<class>`).
# Instances are rebuilt by NEWOBJ + BUILD, so no __init__ is needed.
class Address:
    def format(self):
        return f"{self.street}, {self.postcode} {self.city}, {self.country}"


class Customer:
    pass


class Product:
    pass


class LineItem:
    pass


class Order:
    pass


class Store:
    pass


def timed(fn, budget_s):
    """Median ms per call: a warmup (at least 2 calls), then batched samples for ~budget_s."""
    if budget_s <= 0:
        t0 = time.perf_counter()
        fn()
        return {"medianMs": (time.perf_counter() - t0) * 1e3, "samples": 1, "batch": 1}
    warm_start = time.perf_counter()
    calls = 0
    while calls < 2 or time.perf_counter() - warm_start < budget_s * 0.3:
        fn()
        calls += 1
    mean = (time.perf_counter() - warm_start) / calls
    batch = max(1, int(1e-3 / max(mean, 1e-9)))
    samples = []
    start = time.perf_counter()
    while len(samples) < 5 or (time.perf_counter() - start < budget_s and len(samples) < 1000):
        s0 = time.perf_counter()
        for _ in range(batch):
            fn()
        samples.append((time.perf_counter() - s0) / batch * 1e3)
    return {"medianMs": statistics.median(samples), "samples": len(samples), "batch": batch}


ATOMS = (type(None), bool, int, float, complex, str, bytes)
BUILTIN_KINDS = (dict, set, frozenset, datetime.datetime, datetime.date)


def check(x, y):
    """Generic lockstep walk of the input and its round trip (the Python twin of bench/fidelity.ts).

    values: same primitives and shapes, and no input object reachable from the output;
    prototypes: same type for every pair; sharing: the pairing of objects is one-to-one;
    cycles: the output's cycles close inside the output (implied by the two above);
    builtins: dicts, sets and datetimes (what Map, Set and Date became) keep their type.
    """
    fail = {}

    def bad(prop, why):
        fail.setdefault(prop, why)

    originals = set()
    stack = [x]
    while stack:  # ids of every input object (kept alive by x)
        o = stack.pop()
        if isinstance(o, ATOMS) or id(o) in originals:
            continue
        originals.add(id(o))
        if isinstance(o, dict):
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)):
            stack.extend(o)
        elif hasattr(o, "__dict__"):
            stack.extend(vars(o).values())

    copy_of = {}  # id(input) -> output
    original_of = {}  # id(output) -> input
    deferred_sets = []
    stack = [(x, y)]
    while stack:
        a, b = stack.pop()
        if isinstance(a, ATOMS):
            if type(a) is not type(b) or a != b:
                bad("values", f"expected {a!r:.40}, got {b!r:.40}")
            continue
        if id(b) in originals:
            bad("values", f"output contains an input {type(b).__name__}")
            continue
        paired = original_of.get(id(b))
        if paired is not None:
            if paired is not a:
                bad("sharing", f"one output {type(b).__name__} stands for two input objects")
            continue
        original_of[id(b)] = a
        if id(a) in copy_of:
            bad("sharing", f"a shared {type(a).__name__} was copied more than once")
        else:
            copy_of[id(a)] = b
        if type(a) is not type(b):
            bad("prototypes", f"{type(a).__name__} came back as {type(b).__name__}")
            if isinstance(b, ATOMS):
                bad("values", f"{type(a).__name__} came back as {type(b).__name__}")
            if isinstance(a, BUILTIN_KINDS):
                bad("builtins", f"{type(a).__name__} came back as {type(b).__name__}")
            continue
        if isinstance(a, dict):
            if list(a) != list(b):
                bad("values", "dict keys differ")
            stack.extend((v, b.get(k)) for k, v in a.items())
        elif isinstance(a, (list, tuple)):
            if len(a) != len(b):
                bad("values", f"length {len(a)} came back as {len(b)}")
            stack.extend(zip(a, b))
        elif isinstance(a, (set, frozenset)):
            if len(a) != len(b):
                bad("values", "set size differs")
            deferred_sets.append((a, b))
        elif isinstance(a, (datetime.datetime, datetime.date)):
            if a != b:
                bad("values", "datetime differs")
        elif hasattr(a, "__dict__"):
            stack.append((vars(a), vars(b)))
        elif a != b:
            bad("values", f"{type(a).__name__} differs")
    # Set elements have no order to pair them by: map each through the pairing found above.
    for a, b in deferred_sets:
        for e in a:
            target = e if isinstance(e, ATOMS) else copy_of.get(id(e))
            if target is None or (target not in b if isinstance(e, ATOMS) else all(t is not target for t in b)):
                bad("values", "set element missing")
                break
    verdict = {p: ("no" if p in fail else "yes") for p in ("values", "prototypes", "sharing", "builtins")}
    verdict["cycles"] = "no" if ("values" in fail or "sharing" in fail) else "yes"
    if verdict["cycles"] == "no":
        fail["cycles"] = fail.get("sharing") or fail.get("values")
    return verdict, fail


def main():
    path = sys.argv[1]
    budget_s = float(sys.argv[2]) / 1e3 if len(sys.argv) > 2 else 1.0
    report = {"python": sys.version.split()[0]}
    with open(path, "rb") as f:
        data = f.read()
    report["inputSize"] = len(data)
    try:
        x = pickle.loads(data)
    except Exception as e:  # copyreg wrote something CPython cannot read
        report["error"] = f"loading copyreg's pickle: {type(e).__name__}: {e}"
        print(json.dumps(report))
        return
    try:
        p = pickle.dumps(x, 5)
        y = pickle.loads(p)
    except Exception as e:
        report["error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(report))
        return
    report["size"] = len(p)
    report["fidelity"], report["details"] = check(x, y)
    del y
    gc.collect()
    report["roundtrip"] = timed(lambda: pickle.loads(pickle.dumps(x, 5)), budget_s)
    if budget_s > 0:
        gc.collect()
        report["dumps"] = timed(lambda: pickle.dumps(x, 5), budget_s / 3)
        gc.collect()
        report["loads"] = timed(lambda: pickle.loads(p), budget_s / 3)
        # For reference only: cyclic garbage is then never freed while timing, so this is a lower bound.
        gc.collect()
        gc.disable()
        try:
            report["roundtripNoGc"] = timed(lambda: pickle.loads(pickle.dumps(x, 5)), budget_s / 3)
        finally:
            gc.enable()
            gc.collect()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
