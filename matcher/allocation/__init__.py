"""Teams for a round: instance, solver, explanations, validator and baselines."""
