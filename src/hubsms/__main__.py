from hubsms.cli.app import main

main()
