# ~/.profile (fixture: the home exists)
