// Placeholder until the command line lands (issue 2).
int main() { return 0; }
