"""Plain-language definitions of the methods and terms the pages use (one click away)."""

from __future__ import annotations

__all__ = ["GLOSSARY"]

#: term -> one or two sentences a board member can read without a textbook.
GLOSSARY: dict[str, str] = {
    "Weighted sum (WSM)": (
        "Each criterion is rescaled so the worst site gets 0 and the best 1, multiplied by "
        "its weight, and added up. A strong value can make up for a weak one."
    ),
    "Weighted product (WPM)": (
        "Each site's value is divided by the best value, raised to the power of the weight, "
        "and multiplied. A very weak value drags the score down more than in the weighted sum."
    ),
    "TOPSIS": (
        "Scores each site by how close it is to an imaginary ideal site (the best value on "
        "every criterion) and how far from the worst one."
    ),
    "PROMETHEE II": (
        "Compares every pair of sites on every criterion: the score is how often, weighted, a "
        "site beats the others minus how often it is beaten (from -1 to 1)."
    ),
    "Effective weight": (
        "The share of the decision a criterion actually carries after the group and "
        "within-group sliders are combined; all shares add up to 100 %."
    ),
    "Walking weights": (
        "Move one weight from 0 to 100 % while the others keep their proportions, and watch "
        "where the leader changes (the crossovers)."
    ),
    "SMAA": (
        "Stochastic multicriteria acceptability analysis: thousands of random weight sets are "
        "drawn, and the sites ranked under each, to see how the answer holds when the weights "
        "are uncertain."
    ),
    "Rank acceptability": (
        "From SMAA: the share of random weight sets under which a site takes a given rank; "
        "the share for rank 1 is how often it is first."
    ),
    "Kendall's tau": (
        "How alike two rankings are, from -1 (reversed) through 0 (unrelated) to 1 (the same "
        "order)."
    ),
    "Fallback value": (
        "A figure for a wider area standing in for the site's own, which was not found "
        "(for example Flanders for the province of Antwerp)."
    ),
    "Imputed value": (
        "A missing value the ranking had to fill in: it counts as worse than the worst known "
        "value, so a gap never helps a site."
    ),
}
