"""A tiny notes app: the code the example's tests exercise."""
