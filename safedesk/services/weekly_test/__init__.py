"""The weekly alarm test: the test week, test runs and their results, history, exports and the printable report."""
