"""Class boards: a teacher's board, the runs students share to it, kept in one SQLite file that
every app server reads (``nncore.board.store``). No streamlit."""
