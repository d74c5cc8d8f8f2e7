"""Publicity stories: written by staff, checked for real names and numbers (the pseudonym check),
approved by a second person, published on the street's public page."""
