"""`python -m newsmirror.demo`: serve the demo news site in the foreground and print its URLs."""

from __future__ import annotations

import argparse
import sys
import time

from newsmirror.demo.site import start_demo_site


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; print the base URL and each source's feed."""
    parser = argparse.ArgumentParser(prog="python -m newsmirror.demo", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)
    try:
        server = start_demo_site(args.host, args.port, verbose=args.verbose)
    except OSError as exc:
        print(f"cannot serve the demo site on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"demo news site at {server.base_url}/", flush=True)
    for source in server.sources():
        for feed in source.feeds:
            print(f"  {source.name}\t{feed}", flush=True)
    print("press Ctrl-C to stop", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
