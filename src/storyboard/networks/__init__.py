"""The platforms read through their public APIs: a post's addresses, the API's request
URLs, and an API post turned into the card a page renders."""
