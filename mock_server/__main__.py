"""`python -m mock_server` runs the same command as `kms-mock`."""

from mock_server.cli import main

if __name__ == "__main__":
    main()
