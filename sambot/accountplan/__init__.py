"""The account plan's planning tools (issue 9): the customer profile, value proposition,
strategy map, industry analysis, competitive assessment and relationship expansion, each
a small section that remembers who updated it and when; the whole plan, and its export."""
