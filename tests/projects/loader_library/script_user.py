import loaders


def main():
    print(loaders.load_settings_twice())


if __name__ == "__main__":
    main()
