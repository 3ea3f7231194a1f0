"""Z3 proofs about leaderless replication: quorum overlap and the LWW clock bound.

Each proof returns plain data from `leaderless.proofs.result`: proved (obligations discharged),
refuted (a witness checked in Python) or unknown (with the reason).
"""
