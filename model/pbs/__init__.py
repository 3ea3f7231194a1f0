"""Probabilistically Bounded Staleness (Bailis et al., VLDB 2012) and quorum availability.

Pure functions, no I/O: exact k-staleness and availability as Fractions (kstaleness,
availability), sampled t-visibility and operation latency by Monte Carlo of the WARS
model (wars), latency distributions including the paper's production fits (latency),
and the quorum rules they all share (quorums).
"""
