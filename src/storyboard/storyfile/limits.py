"""How large a story file may be: the loader refuses a larger one, the quick pass skips it.

Apart from ``storyfile.loader`` so that ``storyfile.quick_read`` shares the limit
without loading the story's models.
"""

from __future__ import annotations

MAX_STORY_BYTES = 5_000_000
