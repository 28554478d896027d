import torch
import torch.nn as nn


class SentimentLSTM(nn.Module):
    def __init__(self, vocab, emb=128, hidden=256):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 1)

    def forward(self, x):
        out, (h, c) = self.lstm(self.emb(x))
        return self.fc(h[-1])


model = SentimentLSTM(25000)
criterion = nn.BCELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for inputs, labels in train_loader:
    optimizer.zero_grad()
    output = model(inputs).squeeze()
    loss = criterion(output, labels.float())
    loss.backward()
    optimizer.step()
