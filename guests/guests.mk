# Bare-metal test and benchmark guests (owned by guests/).
.PHONY: guests
guests:
