.PHONY: demo test bench lint fuzz

# The demo: set up everything, start the emulator, `pulumi up` examples/quickstart.
demo:
	scripts/demo

# The whole suite (lint, types, unit, emulator contract and end-to-end tests with the real CLI).
test:
	scripts/test

bench:
	scripts/bench

# The model-based tests of ViewMembership with many long random runs (HYPOTHESIS_PROFILE=fuzz).
fuzz:
	scripts/fuzz
