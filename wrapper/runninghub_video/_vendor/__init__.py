"""Code taken from other projects and changed for this one, each with its licence and a
FORK.md that names the upstream commit and every change."""
