def getResolvedOptions(args, options):
    """Required `--name value` arguments, like Glue's (which fails on a missing one)."""
    found = {}
    for name in options:
        flag = f"--{name}"
        if flag not in args or args.index(flag) + 1 >= len(args):
            raise SystemExit(f"missing argument {flag}")
        found[name] = args[args.index(flag) + 1]
    return found
