"""Helpers shared by the test areas: waiting for a condition, the offices tests build, the office
PC's screen, and the ``gui`` marker's rule. Each test area keeps only what is its own."""
