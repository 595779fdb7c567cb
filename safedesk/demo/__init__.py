"""The demo office: realistic people and premises for trying SafeDesk and for benchmarks."""
