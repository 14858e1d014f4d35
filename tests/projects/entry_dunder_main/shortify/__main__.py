from shortify.main import main

main()
