"""Extraction of products from a merchant page (see ``merchants.extraction.product``)."""
