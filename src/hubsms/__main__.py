from hubsms.cli.main import main

main()
