"""`python -m runninghub_video.cli`: the same command line as `runninghub-video`."""

from runninghub_video.cli import main

if __name__ == "__main__":
    main()
