"""Gap reports of the KMS contract suite, rendered from a results.json dictionary.

The package never runs tests: it reads results as plain JSON, so a results file
from any runner version that follows schema version 1 can be rendered again.
"""

from reports.render import render
from reports.validation import InvalidResults, validate_results

__all__ = ["InvalidResults", "render", "validate_results"]
