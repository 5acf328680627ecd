"""The boats and dispatch: kinematics, energy and battery, routes, on-scene behaviour, cases, the
dispatch policies and the dispatch centre."""
