"""Program search over a grid language: pure functions over numpy grids and a search over them."""

from arc_ttt.domain.search.engine import SearchOptions, SearchResult, search
from arc_ttt.domain.search.program import Finding, Program

__all__ = ["Finding", "Program", "SearchOptions", "SearchResult", "search"]
