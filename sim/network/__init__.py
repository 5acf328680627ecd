"""The 5G network: TR 38.901 radio formulas, link profiles, the radio map of a run, the drone relay,
latency traces and service traffic; what a message costs from sender to receiver."""
