"""The only package that talks HTTP: the address guard, the bounded transport, the client."""
