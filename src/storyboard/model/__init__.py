"""Pure data: the story a curator writes, the static card and the snapshot. No I/O, no paths."""
