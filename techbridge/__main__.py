"""Allow ``python -m techbridge`` as well as the ``techbridge`` console script."""

from techbridge.cli import main

if __name__ == "__main__":
    main()
