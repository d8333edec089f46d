from hubsms.cli.main import run

run()
