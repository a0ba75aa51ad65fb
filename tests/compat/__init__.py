"""The supported range, proven: the tests against other SDKs and Pythons, and the built wheel.

`scripts/compat` (run by `make test` after the main suite) runs `python -m tests.compat.run`.
"""
