"""What the tests share and the product never ships: the virtual screen the screen tests draw on,
the hand-moved clocks. Imported as ``tests.support.…`` (the repository root is on ``pythonpath``).

Why here and not in the packages: issue 18.5 — a wheel of the kiosk must not carry test harness.
What the product itself uses (``make demo`` plays a journey with :mod:`screens.driver` and
:mod:`screens.script`) stays in the package; see README.md, "Tests".
"""
