"""The leaders' cockpit (领导驾驶舱): today's figures from the worker's cache, the 13-month trend,
the city map from the locator's boundaries, and the cases behind each tile."""
