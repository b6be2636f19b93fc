"""The benchmark companies ("shapes"), each a landing folder generator and its extra day of
exports; benchmarks/shapes/registry.py names them."""
