"""The processes that hold TensorFlow, and the small client the pages talk to.

The web server draws pages and never imports TensorFlow: once ``keras`` is imported, Streamlit
resets Keras and collects garbage after every script run of every visitor. So training, the
Draw page's answers and fine-tuning run in worker processes started by the app:

- ``trainer``: a training worker's main loop (one training or fine-tuning at a time, at a
  lower CPU priority, obeying pause/stop/learning-rate messages between epochs);
- ``inference``: what the inference worker runs (the bundled CNN kept loaded, visitors'
  networks cached by an unguessable key);
- ``pool``: the server's side of the training workers (a queue, one thread per worker,
  replacing a worker that dies or has trained enough);
- ``client``: the functions pages call; they hide processes and pipes;
- ``process``: one worker process and the pipe to it;
- ``forkserver``: the process that imports TensorFlow once and forks every worker from it.

Only plain data crosses: specs, numpy arrays, weights, records.
"""
