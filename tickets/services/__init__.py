"""Write use-cases of the tickets domain: stock and reservations, ticket issue, check-in."""
