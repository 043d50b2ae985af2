"""Hold the framework-free domain rules of the 一村一辅警 policy (posts, eligibility inputs, ranking)."""
