"""Money in Chinese pages grouped by thousands with a comma (¥8,500.00), as on invoices and bank
slips; Django's zh_Hans has no separator. Only `floatformat:"2g"` groups: USE_THOUSAND_SEPARATOR
stays off, so counts and ids are never grouped."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
