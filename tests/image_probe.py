"""An image for the tests: prints its privileges and command line, returns a chosen status."""


def image_main(ctx):
    ctx.write(f"privileges={','.join(sorted(ctx.process.privileges))}")
    ctx.write(f"args={ctx.args}")
    line = ctx.stdin.readline() if ctx.stdin is not None else ""
    ctx.write(f"input={line.rstrip()}")
    return 1
