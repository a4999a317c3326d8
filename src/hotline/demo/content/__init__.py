"""What the demo draws: cases with real Jinan places, varied texts, the city's rhythm, recurring
problems and district quality profiles. Pure Python and package data; no database."""
