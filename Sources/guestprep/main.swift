import ArgumentParser

GuestPrepCommand.main()
