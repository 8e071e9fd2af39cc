"""Import a story kept from Storify: every format its users saved before the 2018 shutdown.

- ``detect``: which format a file is, by its content (JSON, JSONP, XML, HTML);
- ``json_export``, ``xml_export``, ``html_export``: each format, decoded into the API's
  JSON shape;
- ``shapes``: where the story and its elements are in each API version's shape;
- ``elements``: an element becomes an item and a snapshot built from its own data;
- ``local_pictures``: pictures saved beside a page, archived without the network;
- ``convert`` and ``importer``: the whole story, and the files written for it.
"""

from storyboard.importers.storify.convert import (
    StorifyImport,
    parse_storify_export,
    read_storify_export,
)
from storyboard.importers.storify.importer import ImportResult, import_storify

__all__ = [
    "ImportResult",
    "StorifyImport",
    "import_storify",
    "parse_storify_export",
    "read_storify_export",
]
